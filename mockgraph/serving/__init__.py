"""The serving process: the command line, the WSGI server, TLS."""
