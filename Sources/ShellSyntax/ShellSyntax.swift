// Splits POSIX shell text (RUN bodies) into simple commands with argv and byte ranges.
public enum ShellSyntax {}
