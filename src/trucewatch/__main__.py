"""`python -m trucewatch ...`: the `trucewatch` command, for where the script is not on the PATH."""
from trucewatch.cli.main import main

if __name__ == "__main__":
    main(prog_name="trucewatch")
