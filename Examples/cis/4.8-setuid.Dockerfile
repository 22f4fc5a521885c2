# CIS 4.8: no setuid/setgid programs.
FROM alpine:3.19.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
COPY --chmod=4755 helper /usr/local/bin/helper
RUN chmod g+s /usr/local/bin/helper
USER nobody
HEALTHCHECK CMD ["/usr/local/bin/helper", "--ping"]
CMD ["/usr/local/bin/helper"]
