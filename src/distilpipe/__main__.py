"""`python -m distilpipe`: the same as the `distilpipe` command."""

from distilpipe.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
