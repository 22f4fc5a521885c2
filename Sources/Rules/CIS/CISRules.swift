// Rules for the CIS Docker Benchmark, section 4 (Container Images and Build
// File). Each rule is one value: its documentation (with examples that the
// generic test runs, `↓` marking where each finding must start) and a pure
// check over the LintContext.
// One file per CIS item in this folder; this list is the order `dflint rules` shows.
import DockerfileSyntax

enum CISRules {
    static let all: [Rule] = [
        missingUser, rootUser, sudo,
        untrustedBase, unpinnedTag, insecureRegistry,
        unnecessaryPackages, noInstallRecommends, packageCache, unpinnedPackage,
        digestPin, contentTrust,
        missingHealthcheck, healthcheckNone,
        updateAlone, staleIndex,
        setuid,
        addInsteadOfCopy,
        secretNames, secretValues, secretFiles,
        pipeToShell, verificationDisabled, plainHTTP, addURLChecksum,
    ]
}
