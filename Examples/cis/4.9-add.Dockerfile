# CIS 4.9: COPY, not ADD, for local files.
FROM alpine:3.19.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ADD app.py requirements.txt /srv/
ADD rootfs.tar.gz /opt/rootfs/
USER nobody
HEALTHCHECK CMD ["true"]
CMD ["python3", "/srv/app.py"]
