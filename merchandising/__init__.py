"""What each country's shoppers are shown and the people who curate it.

Daily recommendation lists (`recommendations.py` builds them, `service.py` reads,
builds and presents them), merchandiser pins and exclusions (`curation.py`), the
stored lists (`lists.py`), country-local dates (`dates.py`) and the merchandiser
accounts (`accounts.py`). Everything is stored in the relational database of
`storage/`; products come through the search engine interface.
"""
