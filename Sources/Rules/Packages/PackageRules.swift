// Package-manager rules that are not CIS items: how installs are run. One file per rule in this
// folder; this list is the order `dflint rules` shows (the CIS 4.3/4.4/4.7 package rules live
// with their CIS item).
import DockerfileSyntax

enum PackageRules {
    static let all: [Rule] = [installWithoutYes, aptNotAptGet, distUpgrade]
}
