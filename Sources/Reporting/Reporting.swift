// Turns findings into the output formats editors and CI read.
public enum Reporting {}
