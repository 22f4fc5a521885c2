// Rebuilds a Dockerfile from an image's history and config.
public enum HistoryVersion { public static let grammar = 1 }
