"""gunicorn reads this file from its working directory (the app folder; see
deploy/systemd/liaison-web.service).

Its access log and error log would print request paths, and a handling unit's signed
link is a credential valid for months (liaison.logs): both logs go through the same
masking filter as Django's. Setting logconfig_dict also turns the access log on
(to stdout), which is where the systemd unit's journal picks it up.
"""

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"unit_links": {"()": "liaison.logs.MaskUnitLinks"}},
    "formatters": {
        "generic": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        }
    },
    "handlers": {
        "access": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["unit_links"],
        },
        "error": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "generic",
            "filters": ["unit_links"],
        },
    },
    "root": {"level": "INFO", "handlers": ["error"]},
    "loggers": {
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
    },
}
