"""`python -m scraper`. The CLI is imported only when this runs as the program: a parser process
(which imports this module as its parent's main module) needs none of it."""

if __name__ == "__main__":
    from scraper.cli import main

    main()
