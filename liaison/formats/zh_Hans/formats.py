# Django writes 03月20日; the office writes 3月20日 (DOMAIN.md, "Conventions").
MONTH_DAY_FORMAT = "n月j日"
