# CIS 4.6: a real HEALTHCHECK (NONE does not count).
FROM nginx:1.27.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
USER nginx
HEALTHCHECK NONE
CMD ["nginx", "-g", "daemon off;"]
