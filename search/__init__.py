"""Search: text analysis, query understanding, engines and the search service."""
