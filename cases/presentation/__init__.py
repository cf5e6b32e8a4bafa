"""What the templates print, computed in Python so they only loop: facet, pager and
"did you mean" links (``facets``), result rows, highlighting and the citation (``display``),
the outcome view's rates and intervals (``outcomes``) and the export formats, CSV and JSON
(``exports``). They take what ``cases.selectors`` read and run no searches of their own."""
