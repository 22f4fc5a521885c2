# syntax=docker/dockerfile:1.7
# A Dockerfile that passes every dflint rule.
FROM golang:1.22.3-bookworm@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/.cache/go-build go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12:nonroot@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
COPY --from=build /out/app /app
USER 65532:65532
EXPOSE 8080/tcp
HEALTHCHECK --interval=30s --timeout=3s CMD ["/app", "health"]
ENTRYPOINT ["/app"]
