"""The MkDocs door: config, events, workers, live preview, progress, MkDocs' private parts."""
