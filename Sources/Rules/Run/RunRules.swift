// Rules on what RUN commands do (shell usage, users, downloads) that are not CIS items. One
// file per rule in this folder; this list is the order `dflint rules` shows.
import DockerfileSyntax

enum RunRules {
    static let all: [Rule] = [useraddHighUID, wgetProgress, wgetAndCurl, shRelinked, pipefail, consecutiveRun, chpasswd,
                              pointlessCommand]
}
