# CIS 4.2: base images from trusted, pinned sources.
FROM 10.0.0.5:5000/team/builder AS build
RUN make

FROM node:latest
COPY --from=build /out /app
USER node
HEALTHCHECK CMD ["node", "/app/health.js"]
CMD ["node", "/app/index.js"]
