"""Build, serve and open a project through MkDocs."""
