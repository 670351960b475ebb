"""scraper: a command-line news scraper and archiver."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/scraper-news/scraper"
USER_AGENT = f"scraper/{__version__} (+{PROJECT_URL})"
