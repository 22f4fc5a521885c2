import Testing
@testable import DockerfileSyntax
@testable import Rules

/// Package-manager command lines, one table per manager: options with arity, subcommand
/// aliases, package operands and version syntax.
@Suite struct PackageCommandTests {
    static func action(_ script: String) -> PackageAction? {
        let ctx = LintContext(Dockerfile.parse("FROM a:1\nRUN \(script)\n"))
        return ctx.commands.indices.compactMap { ctx.action(of: $0) }.first
    }

    static let parsesCases: [(String, String, String, [String])] = [
        // (command line, family, subcommand, packages)
        ("apt-get -y -o Dpkg::Options::=--force-confold install -t bookworm-backports curl", "apt", "install", ["curl"]),
        ("apt-get install -qq --no-install-recommends a b=1", "apt", "install", ["a", "b=1"]),
        ("apt dist-upgrade", "apt", "dist-upgrade", []),
        ("apt-get dist-clean", "apt", "distclean", []),
        ("apk add -U --virtual .deps gcc", "apk", "add", ["gcc"]),
        ("apk --no-cache add curl", "apk", "add", ["curl"]),
        ("apk cache clean", "apk", "cache clean", []),
        ("dnf in -y --setopt=tsflags=nodocs git", "rpm", "install", ["git"]),
        ("dnf --nobest install vim", "rpm", "install", ["vim"]),
        ("dnf upgrade -y", "rpm", "upgrade", []),
        ("dnf group install -y 'Development Tools'", "rpm", "group install", ["Development Tools"]),
        ("microdnf install -y tar", "rpm", "install", ["tar"]),
        ("yum -y --enablerepo epel install jq", "rpm", "install", ["jq"]),
        ("zypper -n --gpg-auto-import-keys in -y curl", "zypper", "install", ["curl"]),
        ("zypper dup", "zypper", "dist-upgrade", []),
        ("pip install --root-user-action ignore --no-cache-dir flask==3", "pip", "install", ["flask==3"]),
        ("pip3.12 install -r req.txt -c constraints.txt", "pip", "install", []),
        ("python3 -m pip install -U pip", "pip", "install", ["pip"]),
        ("uv pip install ruff", "pip", "install", ["ruff"]),
        ("npm --loglevel verbose install -g @org/pkg @org/other@1.2 left-pad", "npm", "install", ["@org/pkg", "@org/other@1.2", "left-pad"]),
        ("npm i express", "npm", "install", ["express"]),
        ("npm cache clean --force", "npm", "cache clean", []),
        ("yarn global add typescript", "yarn", "global add", ["typescript"]),
        ("yarn --frozen-lockfile", "yarn", "install", []),
        ("pnpm add -D vitest", "pnpm", "add", ["vitest"]),
        ("gem i rails -- --with-x", "gem", "install", ["rails"]),
        ("gem install -N bundler -v 2.5", "gem", "install", ["bundler"]),
        ("go install -ldflags -s golang.org/x/tools/gopls@v0.15.3", "go", "install", ["golang.org/x/tools/gopls@v0.15.3"]),
        ("go run example.com/gen@v1 -out x.go", "go", "run", ["example.com/gen@v1"]),
        ("cargo install --locked ripgrep --version 14.1.0", "cargo", "install", ["ripgrep"]),
        ("composer global require phpstan/phpstan:^1.10", "composer", "global require", ["phpstan/phpstan:^1.10"]),
    ]

    @Test(arguments: parsesCases)
    func parses(_ line: String, _ family: String, _ sub: String, _ packages: [String]) {
        let a = Self.action(line)
        #expect(a?.family.rawValue == family)
        #expect(a?.subcommand == sub)
        #expect(a?.packages.map(\.0) == packages)
    }

    @Test func notPackageCommands() {
        #expect(Self.action("yarn --version") == nil || Self.action("yarn --version")?.kind == .other)
        #expect(Self.action("yarn build")?.kind == .other)
        #expect(Self.action("echo apt-get install curl") == nil)
        #expect(Self.action("command -v apt-get") == nil)
    }

    static let versionSyntaxCases: [(String, String, Bool)] = [
        // (family, operand, pinned)
        ("apt", "curl=7.88", true), ("apt", "curl", false),
        ("apk", "curl=8.5.0-r0", true), ("apk", "curl~8.5", true), ("apk", "curl", false),
        ("rpm", "git-2.44.0", true), ("rpm", "python3-pip", false), ("rpm", "java-17-openjdk", true),
        ("pip", "flask==3.0", true), ("pip", "flask>=3", true), ("pip", "flask", false), ("pip", "flask[async]~=3.0", true),
        ("npm", "@org/pkg", false), ("npm", "@org/pkg@1.2", true), ("npm", "pkg@latest", false), ("npm", "pkg@^1", true),
        ("gem", "rails:7.1", true), ("gem", "rails", false),
        ("go", "example.com/x@v1.2.3", true), ("go", "example.com/x@latest", false), ("go", "example.com/x", false),
        ("cargo", "ripgrep@14", true), ("composer", "vendor/pkg:^1.0", true), ("composer", "vendor/pkg", false),
    ]

    @Test(arguments: versionSyntaxCases)
    func versionSyntax(_ family: String, _ operand: String, _ pinned: Bool) {
        let f = PackageFamily(rawValue: family)!
        #expect(PackageManagers.isPinned(operand, family: f) == pinned)
    }

    static let localOperandsCases: [(String, String, Bool)] = [
        ("npm", "./local", true), ("npm", "user/repo", true), ("npm", "@scope/name", false), ("npm", "git+https://e.x/r.git", true),
        ("go", "./cmd/...", true), ("go", "mymodule/cmd/x", true), ("go", "golang.org/x/tools/gopls", false),
        ("apt", "./x.deb", true), ("pip", "pkg.whl", true), ("pip", "requests", false),
    ]

    @Test(arguments: localOperandsCases)
    func localOperands(_ family: String, _ operand: String, _ local: Bool) {
        #expect(PackageManagers.isLocalOrDynamic(operand, family: PackageFamily(rawValue: family)!) == local)
    }

    /// The new rules on their command lines (`-y` and its spellings, `apt`, dist-upgrade).
    static let newRulesCases: [(String, [String])] = [
        ("apt-get install curl", ["DF210"]), ("apt-get install -qq curl", []), ("apt-get -q install curl", ["DF210"]),
        ("apt-get install --yes curl", []), ("apt-get remove curl", ["DF210"]), ("yes | apt-get install curl", []),
        ("yum install httpd", ["DF210"]), ("yum install --assumeyes httpd", []), ("dnf remove vim", ["DF210"]),
        ("microdnf install tar", []), ("zypper install curl", ["DF210"]), ("zypper --non-interactive install curl", []),
        ("zypper install --no-confirm curl", []),
        ("apt update", ["DF211"]), ("apt-get dist-upgrade -y", ["DF212"]), ("zypper -n dist-upgrade", ["DF212"]),
    ]

    @Test(arguments: newRulesCases)
    func newRules(_ line: String, _ expected: [String]) {
        let found = Linter().lint(Dockerfile.parse("FROM a:1\nRUN \(line)\n"), path: "D").map(\.ruleID)
            .filter { ["DF210", "DF211", "DF212"].contains($0) }
        #expect(found == expected)
    }
}
