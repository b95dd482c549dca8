# The gateway image: nginx with Wenping's routing. Build from the repository root:
#   docker build -f deploy/docker/gateway.Dockerfile -t wenping/gateway:1.0.0 .
FROM nginx:1.27.3-alpine
COPY deploy/gateway/nginx.conf /etc/nginx/nginx.conf
COPY deploy/gateway/upstreams.conf /etc/nginx/upstreams.conf
# nginx's own unprivileged user (uid 101); everything it writes is under /tmp.
USER 101:101
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/gateway/healthz"]
