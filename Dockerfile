# StreamManager operator image: docker build -t stream-manager:0.1.0 .
#
# Swift runtime: the binary is built with --static-swift-stdlib, so the Swift standard library,
# Foundation and Dispatch are linked in. The runtime image then needs only the C libraries it links
# dynamically (librdkafka, libcurl, and libstdc++/libgcc, already in debian:bookworm-slim), and no
# copy of /usr/lib/swift/linux that would have to match the toolchain exactly.

FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      librdkafka-dev libcurl4-openssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a source change does not re-fetch them.
COPY Package.* ./
RUN swift package resolve
COPY . .
RUN swift build -c release --product stream-manager --static-swift-stdlib \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/stream-manager" /out/stream-manager

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      librdkafka1 libcurl4 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 stream-manager \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin stream-manager
COPY --from=build /out/stream-manager /usr/local/bin/stream-manager
# Numeric user, so Kubernetes can check runAsNonRoot. Nothing is written outside /tmp, so the
# root filesystem can be read-only (the manifests mount an emptyDir at /tmp).
USER 10001:10001
ENV HOME=/tmp
WORKDIR /tmp
EXPOSE 8080
ENTRYPOINT ["stream-manager"]
CMD ["run"]
