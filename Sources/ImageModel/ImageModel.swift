// Image metadata decoded from the JSON shapes images come in.
public enum ImageModelVersion { public static let schema = 1 }
