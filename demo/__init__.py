"""Demo data: ``python manage.py seed_demo``. The roster (``demo.roster``) comes first and
creates the offices; then each area in ``demo.areas.AREAS`` seeds its part. This app
imports the others; no other app imports it."""
