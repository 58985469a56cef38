"""Checks across files: ids, links, aliases, bundles, the URL ledger, translation status."""
