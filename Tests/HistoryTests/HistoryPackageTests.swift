import Testing
@testable import History
