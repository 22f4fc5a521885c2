# CIS 4.7: never update the package index in a RUN of its own.
FROM ubuntu:24.04@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN apt-get update
RUN apt-get install -y --no-install-recommends ca-certificates=20240203 \
 && rm -rf /var/lib/apt/lists/*
USER ubuntu
HEALTHCHECK CMD ["true"]
CMD ["bash"]
