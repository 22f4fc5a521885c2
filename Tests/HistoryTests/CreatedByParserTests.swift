import Testing
import ImageModel
@testable import History

/// One row per `created_by` format of the reference (image-formats.md §4).
struct Row: Sendable, CustomStringConvertible {
    var input: String
    var expected: String?          // nil = opaque
    var args: [BuildArg] = []
    var comment: String? = nil
    var author: String? = nil
    var shell: [String] = ["/bin/sh", "-c"]
    var description: String { input }
}

@Suite struct CreatedByParserTests {
    static let rows: [Row] = [
        // Legacy Docker builder
        Row(input: "/bin/sh -c set -x     && addgroup --system nginx", expected: "RUN set -x     && addgroup --system nginx"),
        Row(input: "|1 DEBIAN_FRONTEND=noninteractive /bin/sh -c chmod +x /tmp/install.sh", expected: "RUN chmod +x /tmp/install.sh",
            args: [BuildArg("DEBIAN_FRONTEND", "noninteractive")]),
        Row(input: "|2 APP_VERSION=1.2.3 GITHUB_TOKEN=ghp_x /bin/sh -eux -c echo hi", expected: "RUN echo hi",
            args: [BuildArg("APP_VERSION", "1.2.3"), BuildArg("GITHUB_TOKEN", "ghp_x")], shell: ["/bin/sh", "-eux", "-c"]),
        Row(input: "|1 A=hello world /bin/sh -c echo $A", expected: "RUN echo $A", args: [BuildArg("A", "hello world")]),
        Row(input: "/bin/sh -c #(nop) ADD file:fcb9328e0238 in / ", expected: "ADD file:fcb9328e0238 /"),
        Row(input: "/bin/sh -c #(nop) COPY --chown=1000:1000file:09420a86 in /usr/local/bin/entrypoint.sh ",
            expected: "COPY --chown=1000:1000 file:09420a86 /usr/local/bin/entrypoint.sh"),
        Row(input: "/bin/sh -c #(nop) COPY multi:abc123 in /dst/ ", expected: "COPY multi:abc123 /dst/"),
        Row(input: "/bin/sh -c #(nop)  CMD [\"nginx\" \"-g\" \"daemon off;\"]", expected: "CMD [\"nginx\", \"-g\", \"daemon off;\"]"),
        Row(input: "/bin/sh -c #(nop)  ENTRYPOINT [\"docker-php-entrypoint\"]", expected: "ENTRYPOINT [\"docker-php-entrypoint\"]"),
        Row(input: "/bin/sh -c #(nop)  ENV NGINX_VERSION=1.17.0", expected: "ENV NGINX_VERSION=1.17.0"),
        Row(input: "/bin/sh -c #(nop)  LABEL maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>",
            expected: "LABEL maintainer=\"NGINX Docker Maintainers <docker-maint@nginx.com>\""),
        Row(input: "/bin/sh -c #(nop)  ENV PRICE=$5 A=b", expected: "ENV PRICE=\"\\$5\" A=b"),
        Row(input: "/bin/sh -c #(nop)  ARG RELEASE", expected: "ARG RELEASE"),
        Row(input: "/bin/sh -c #(nop)  EXPOSE 80", expected: "EXPOSE 80"),
        Row(input: "/bin/sh -c #(nop)  EXPOSE 53/udp 8080/tcp", expected: "EXPOSE 53/udp 8080/tcp"),
        Row(input: "/bin/sh -c #(nop)  USER [nova]", expected: "USER nova"),
        Row(input: "/bin/sh -c #(nop) WORKDIR /usr/local/tomcat", expected: "WORKDIR /usr/local/tomcat"),
        Row(input: "/bin/sh -c #(nop)  WORKDIR /usr/local/apache2", expected: "WORKDIR /usr/local/apache2"),
        Row(input: "/bin/sh -c #(nop)  VOLUME [/data /logs]", expected: "VOLUME [\"/data\", \"/logs\"]"),
        Row(input: "/bin/sh -c #(nop)  STOPSIGNAL SIGTERM", expected: "STOPSIGNAL SIGTERM"),
        Row(input: "/bin/sh -c #(nop)  SHELL [/bin/sh -eux -c]", expected: "SHELL [\"/bin/sh\", \"-eux\", \"-c\"]"),
        Row(input: "/bin/sh -eux -c #(nop)  CMD [\"/bin/sh\" \"-c\" \"sleep 3600\"]", expected: "CMD [\"/bin/sh\", \"-c\", \"sleep 3600\"]",
            shell: ["/bin/sh", "-eux", "-c"]),
        Row(input: "/bin/sh -c #(nop)  MAINTAINER https://github.com/CentOS", expected: "MAINTAINER https://github.com/CentOS"),
        Row(input: "/bin/sh -c #(nop)  ONBUILD RUN echo \"onbuild trigger\"", expected: "ONBUILD RUN echo \"onbuild trigger\""),
        Row(input: "/bin/sh -c #(nop)  HEALTHCHECK &{[\"CMD-SHELL\" \"wget -q http://x/ || exit 1\"] \"30s\" \"3s\" \"0s\" '\\x00'}",
            expected: "HEALTHCHECK --interval=30s --timeout=3s CMD wget -q http://x/ || exit 1"),
        Row(input: "/bin/sh -c #(nop)  HEALTHCHECK &{[\"CMD-SHELL\" \"/opt/gitlab/bin/gitlab-healthcheck\"] \"1m0s\" \"30s\" \"0s\" '\\x05'}",
            expected: "HEALTHCHECK --interval=60s --timeout=30s --retries=5 CMD /opt/gitlab/bin/gitlab-healthcheck"),
        Row(input: "/bin/sh -c #(nop)  HEALTHCHECK &{[\"CMD\" \"curl\" \"-f\" \"http://x\"] \"1m0s\" \"3s\" '\\x03'}",
            expected: "HEALTHCHECK --interval=60s --timeout=3s --retries=3 CMD [\"curl\", \"-f\", \"http://x\"]"),
        Row(input: "/bin/sh -c #(nop)  HEALTHCHECK &{Test:[CMD-SHELL curl -f http://x] Interval:30s Timeout:3s StartPeriod:0s StartInterval:0s Retries:3}",
            expected: "HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD curl -f http://x"),
        Row(input: "/bin/sh -c /bin/true", expected: "RUN /bin/true"),
        Row(input: "", expected: nil, comment: "Imported from -"),
        Row(input: "/bin/sh", expected: "RUN /bin/sh", comment: "manual change"),
        Row(input: "sh -c echo committed > /committed.txt", expected: "RUN echo committed > /committed.txt"),
        // Windows
        Row(input: "cmd /S /C #(nop) COPY file:ac9f104f82b9 in C: ", expected: "COPY file:ac9f104f82b9 C:"),
        Row(input: "cmd /S /C #(nop)  CMD [\"cmd\" \"/C\" \"type C:\\\\hello.txt\"]", expected: "CMD [\"cmd\", \"/C\", \"type C:\\\\hello.txt\"]"),
        Row(input: "cmd /S /C #(nop)  ENV NATS_DOCKERIZED=1", expected: "ENV NATS_DOCKERIZED=1"),
        Row(input: "cmd /S /C powershell -c Write-Host hi", expected: "RUN powershell -c Write-Host hi"),
        Row(input: "powershell -Command $ErrorActionPreference = 'Stop'; Install-Thing", expected: "RUN Install-Thing",
            shell: ["powershell", "-Command", "$ErrorActionPreference", "=", "'Stop';"]),
        Row(input: "Apply image 10.0.20348.643", expected: nil),
        // BuildKit
        Row(input: "RUN /bin/sh -c echo \"hello\" # buildkit", expected: "RUN echo \"hello\"", comment: "buildkit.dockerfile.v0"),
        Row(input: "RUN |1 pkg=curl /bin/sh -c apk add $pkg # buildkit", expected: "RUN apk add $pkg", args: [BuildArg("pkg", "curl")]),
        Row(input: "RUN ls # buildkit", expected: "RUN ls"),
        Row(input: "RUN /bin/sh -c set -e\necho hi\n # buildkit", expected: "RUN <<EOF\nset -e\necho hi\nEOF"),
        Row(input: "RUN /bin/sh -c cat <<EOF > /f\nbody\nEOF # buildkit", expected: "RUN cat <<EOF > /f\nbody\nEOF"),
        Row(input: "COPY ./foo /foo # buildkit", expected: "COPY ./foo /foo"),
        Row(input: "COPY <<EOT /etc/x # buildkit", expected: "COPY <<EOT /etc/x\nEOT"),
        Row(input: "ENV TAG=latest", expected: "ENV TAG=latest"),
        Row(input: "ARG TAG=latest", expected: "ARG TAG=latest"),
        Row(input: "ARG foo=bar baz", expected: "ARG foo=bar baz"),
        Row(input: "USER root", expected: "USER root"),
        Row(input: "CMD [\"/bin/sh\"]", expected: "CMD [\"/bin/sh\"]"),
        Row(input: "ENTRYPOINT [\"/bin/sh\" \"-c\" \"echo test\"]", expected: "ENTRYPOINT [\"/bin/sh\", \"-c\", \"echo test\"]"),
        Row(input: "WORKDIR /usr/src/helloworld", expected: "WORKDIR /usr/src/helloworld"),
        Row(input: "EXPOSE map[53/udp:{} 8080/tcp:{}]", expected: "EXPOSE 53/udp 8080/tcp"),
        Row(input: "EXPOSE [1234/udp 2375/tcp 5000/tcp]", expected: "EXPOSE 1234/udp 2375/tcp 5000/tcp"),
        Row(input: "VOLUME [/volume]", expected: "VOLUME [\"/volume\"]"),
        Row(input: "SHELL [/bin/bash -o pipefail -c]", expected: "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]"),
        Row(input: "HEALTHCHECK &{[\"CMD-SHELL\" \"curl -f http://localhost/ || exit 1\"] \"5m0s\" \"3s\" \"1s\" \"5s\" '\\x03'}",
            expected: "HEALTHCHECK --interval=300s --timeout=3s --start-period=1s --start-interval=5s --retries=3 CMD curl -f http://localhost/ || exit 1"),
        Row(input: "HEALTHCHECK {Test:[CMD-SHELL curl x] Interval:1s Timeout:10s StartPeriod:3s StartInterval:100ms Retries:5}",
            expected: "HEALTHCHECK --interval=1s --timeout=10s --start-period=3s --start-interval=100ms --retries=5 CMD curl x"),
        Row(input: "HEALTHCHECK {Test:[NONE] Interval:0s Timeout:0s StartPeriod:0s StartInterval:0s Retries:0}", expected: "HEALTHCHECK NONE"),
        Row(input: "LABEL base=a", expected: "LABEL base=a"),
        // Buildah / podman
        Row(input: "/bin/sh -c #(nop) HEALTHCHECK --interval=30s --retries=3 CMD wget -q http://x || exit 1",
            expected: "HEALTHCHECK --interval=30s --retries=3 CMD wget -q http://x || exit 1", comment: "FROM a473395ded48"),
        Row(input: "/bin/sh -c #(nop) HEALTHCHECK NONE|unsetLabel=true|inheritLabels=false|force-mtime=10", expected: "HEALTHCHECK NONE"),
        Row(input: "/bin/sh -c #(nop) COPY dir:3a024d8085bc in ./files |inheritLabels=false", expected: "COPY dir:3a024d8085bc ./files"),
        Row(input: "/bin/sh -c #(nop) ADD dir:3a024d8085bc in /\",", expected: "ADD dir:3a024d8085bc /"),
        Row(input: "/bin/sh -c #(nop) ARG APP_VERSION GITHUB_TOKEN", expected: "ARG APP_VERSION GITHUB_TOKEN"),
        Row(input: "/bin/sh -c #(nop) ENV DB_PASSWORD=\"hunter 2\"", expected: "ENV DB_PASSWORD=\"hunter 2\""),
        Row(input: "/bin/sh -c #(nop) ENTRYPOINT /bin/sh -c \"echo starting\"", expected: "ENTRYPOINT /bin/sh -c \"echo starting\""),
        Row(input: "/bin/sh -c #(nop) VOLUME /var/log/app", expected: "VOLUME /var/log/app"),
        Row(input: "/bin/sh -c --mount=type=secret,id=mysecret cat /run/secrets/mysecret", expected: "RUN --mount=type=secret,id=mysecret cat /run/secrets/mysecret",
            comment: "FROM 97ad0fd6a1a3"),
        Row(input: "/bin/sh -c <<EOT", expected: "RUN <<EOT", comment: "FROM localhost/busybase:1"),
        // kaniko (as written, no shell) and opaque producers
        Row(input: "RUN addgroup -S appgroup && adduser -S app", expected: "RUN addgroup -S appgroup && adduser -S app", author: "kaniko"),
        Row(input: "jib-maven-plugin:3.4.0", expected: nil, comment: "classes", author: "Jib"),
        Row(input: "ko build ko://github.com/x/y", expected: nil, author: "ko"),
        Row(input: "bazel build //pkg:label", expected: nil),
        Row(input: "apko", expected: nil, author: "apko"),
        Row(input: "", expected: nil, comment: "store paths: ['/nix/store/abc']"),
        Row(input: "KIWI 10.0.19", expected: nil),
        Row(input: "BusyBox 1.37.0 (glibc), Debian 12", expected: nil),
        Row(input: "https://github.com/tianon/dockerfiles/tree/master/true", expected: nil),
    ]

    @Test(arguments: rows)
    func parses(_ row: Row) {
        var p = CreatedByParser(shell: row.shell)
        let e = p.parse(createdBy: row.input, comment: row.comment, author: row.author)
        #expect(e.text == row.expected)
        #expect(e.buildArgs == row.args)
    }

    @Test func producers() {
        #expect(CreatedByParser.parse("/bin/sh -c #(nop)  CMD [\"x\"]").producer == .dockerLegacy)
        #expect(CreatedByParser.parse("/bin/sh -c #(nop) CMD [\"x\"]").producer == .buildah)
        #expect(CreatedByParser.parse("RUN /bin/sh -c x # buildkit").producer == .buildkit)
        #expect(CreatedByParser.parse("RUN x", author: "kaniko").producer == .kaniko)
        #expect(CreatedByParser.parse("cmd /S /C #(nop)  ENV A=1").producer == .windows)
        #expect(CreatedByParser.parse("jib", author: "Jib").producer == .jib)
        #expect(CreatedByParser.parse("", comment: "store paths: []").producer == .nix)
    }

    @Test func legacyShellChangesLaterPrefixes() {
        var p = CreatedByParser()
        _ = p.parse(createdBy: "/bin/sh -c #(nop)  SHELL [/bin/bash -o pipefail -c]", comment: nil, author: nil)
        let e = p.parse(createdBy: "/bin/bash -o pipefail -c #(nop)  USER app", comment: nil, author: nil)
        #expect(e.text == "USER app")
        #expect(p.parse(createdBy: "/bin/bash -o pipefail -c curl x | sh", comment: nil, author: nil).text == "RUN curl x | sh")
    }

    @Test func goDurations() {
        #expect(Health.goDuration("1m0s") == 60_000_000_000)
        #expect(Health.goDuration("100ms") == 100_000_000)
        #expect(Health.goDuration("1h2m3.5s") == 3_723_500_000_000)
        #expect(Health.goDuration("bogus") == nil)
    }
}
