"""The files a build writes besides the pages: SEO files, redirects, catalog, email bundles."""
