# CIS 4.10: no secrets in the Dockerfile or the image.
FROM node:20.12.2-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ARG NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz0123456789
ENV DB_PASSWORD=correct-horse-battery-staple \
    DB_PASSWORD_FILE=/run/secrets/db
COPY .npmrc package.json /app/
RUN git clone https://ci:hunter2@git.example.com/team/app.git /src
USER node
HEALTHCHECK CMD ["node", "/app/health.js"]
CMD ["node", "/app/index.js"]
