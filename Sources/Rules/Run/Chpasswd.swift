// Chpasswd: passwords set while building the image.
import DockerfileSyntax

extension RunRules {
    static let chpasswd = Rule(RuleDescriptor(
        id: "DF219", name: "chpasswd", title: "chpasswd sets a password in the image",
        defaultSeverity: .warning,
        rationale: "A password set at build time is the same in every container of the image, is stored (hashed) in its /etc/shadow, and its clear text sits in the Dockerfile, a build argument or the image history. Containers should not need local passwords.",
        fix: "Do not set passwords in the image; use keys or the orchestrator's secrets at run time.",
        triggering: ["FROM debian:12\nRUN echo 'app:app' | ↓chpasswd\n"],
        nonTriggering: ["FROM debian:12\nRUN useradd -m app && passwd -l app\n"],
        aliases: ["CKV2_DOCKER_17"]
    )) { ctx in
        ctx.commands.filter { $0.name == "chpasswd" }.map {
            Hit($0.span(ofWord: 0), "chpasswd sets a password that every container of this image shares")
        }
    }
}
