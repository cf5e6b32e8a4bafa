"""The app's views: the search and case pages (``pages``), the JSON API (``api``), and the
views over a whole search, its exports and outcome view (``reports``)."""
