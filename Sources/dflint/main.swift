import DockerfileSyntax
#if canImport(Glibc)
import Glibc
#endif

var console = Console(stdoutIsTerminal: FileIO.isTerminal(1), environment: FileIO.environment())
let status = CLI.run(Array(CommandLine.arguments.dropFirst()), &console)
FileIO.write(console.out)
FileIO.writeErr(console.err)
exit(status)
