// The .dflint.yaml configuration: a hand-written YAML subset parser and the settings it holds.
public enum Configuration {}
