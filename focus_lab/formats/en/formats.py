"""One way to write dates everywhere in the app: "Dec 1, 2026" and "Dec 1, 2026 14:30".
(Django's English defaults mix "Dec. 1, 2026" and "Dec. 1, 2026, 2:30 p.m.")"""

DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y H:i"
SHORT_DATE_FORMAT = "M j, Y"
SHORT_DATETIME_FORMAT = "M j, Y H:i"
