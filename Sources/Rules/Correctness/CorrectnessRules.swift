// Dockerfile correctness checks that users of hadolint and `docker build
// --check` expect, where our typed tree makes them cheap and exact.
// One file per rule in this folder; this list is the order `dflint rules` shows.
import DockerfileSyntax

enum CorrectnessRules {
    static let all: [Rule] = [relativeWorkdir, repeated, jsonArgs, maintainer, copyFromUnknown, undefinedVariable, invalidPort, cdInRun]
}
