"""`vitrina` subcommands, one module per concern."""
