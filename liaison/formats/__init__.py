"""Date formats where Django's own differ from what the office writes (FORMAT_MODULE_PATH):
pages name formats (DATE_FORMAT, MONTH_DAY_FORMAT …) and each language fills them in."""
