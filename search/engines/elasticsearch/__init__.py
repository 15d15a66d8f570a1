"""Elasticsearch behind the SearchEngine interface, for catalogs beyond one machine.

Request bodies are built by the pure functions of `queries`, responses read by
`responses`, and the index definition lives as data in `index.json`. `loader` sends
bulk requests (parallel, bounded, retried); `rebuilds` keeps changes that arrive while
a rebuild loads, so its alias swap loses none.
"""

from .engine import ElasticsearchEngine

__all__ = ["ElasticsearchEngine"]
