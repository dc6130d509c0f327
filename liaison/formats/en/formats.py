# The office keeps the 24-hour clock in English too (14:30, not 2:30 p.m.).
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
