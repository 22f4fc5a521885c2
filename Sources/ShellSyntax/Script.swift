// Assembling the result (ordering, pipeline indices) and the queries rules use.

extension Collector {
    func finish() -> ShellScript {
        var result = commands
        commands = []
        let n = result.count
        // Sort keys first: comparing whole commands would copy them.
        let cStart = result.map(\.range.lowerBound), cDepth = result.map(\.depth)
        func before(_ a: Int, _ b: Int) -> Bool {
            if cStart[a] != cStart[b] { return cStart[a] < cStart[b] }
            if cDepth[a] != cDepth[b] { return cDepth[a] < cDepth[b] }
            return a < b
        }
        var commandIndex = Array(0..<n)
        if !(0..<max(0, n - 1)).allSatisfy({ before($0, $0 + 1) }) {
            let order = (0..<n).sorted(by: before)
            for (i, c) in order.enumerated() { commandIndex[c] = i }
            result = order.map { result[$0] }
        }
        let drafts = pipelines
        pipelines = []
        let pStart = drafts.map(\.range.lowerBound), pDepth = drafts.map(\.depth)
        var kept = (0..<drafts.count).filter { !drafts[$0].stages.isEmpty }
        func pBefore(_ a: Int, _ b: Int) -> Bool {
            if pStart[a] != pStart[b] { return pStart[a] < pStart[b] }
            if pDepth[a] != pDepth[b] { return pDepth[a] < pDepth[b] }
            return a < b
        }
        if !(0..<max(0, kept.count - 1)).allSatisfy({ pBefore(kept[$0], kept[$0 + 1]) }) {
            kept.sort(by: pBefore)
        }
        var pipelineIndex = [Int](repeating: 0, count: drafts.count)
        for (i, p) in kept.enumerated() { pipelineIndex[p] = i }
        for i in 0..<n {
            let p = result[i].pipeline
            result[i].pipelineLength = max(1, drafts[p].stages.count)
            result[i].pipeline = pipelineIndex[p]
        }
        let starts = result.map(\.range.lowerBound)
        let ends = result.map(\.range.upperBound)
        let depths = result.map(\.depth)

        var outPipelines: [Pipeline] = []
        outPipelines.reserveCapacity(kept.count)
        for (i, p) in kept.enumerated() {
            let d = drafts[p]
            let stages = d.stages.map { s -> PipelineStage in
                // Binary search for the first command starting in the stage.
                var lo = 0, hi = n
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if starts[mid] < s.range.lowerBound { lo = mid + 1 } else { hi = mid }
                }
                var inside: [Int] = []
                while lo < n && starts[lo] < s.range.upperBound {
                    if ends[lo] <= s.range.upperBound && depths[lo] >= d.depth { inside.append(lo) }
                    lo += 1
                }
                if let k = s.command.map({ commandIndex[$0] }), !inside.contains(k) {
                    inside.append(k)
                    inside.sort()
                }
                return PipelineStage(range: s.range, command: s.command.map { commandIndex[$0] }, commands: inside)
            }
            outPipelines.append(Pipeline(index: i, stages: stages, operators: d.operators, negated: d.negated,
                                         range: d.range, connectorBefore: d.connector, depth: d.depth,
                                         origin: d.origin))
        }
        return ShellScript(commands: result, pipelines: outPipelines)
    }
}

extension ShellScript {
    /// The pipeline `command` is a stage of.
    public func pipeline(of command: SimpleCommand) -> Pipeline? {
        pipelines.indices.contains(command.pipeline) ? pipelines[command.pipeline] : nil
    }

    /// Commands whose output can reach `command`'s standard input through a
    /// pipe, in script order: the commands of all earlier stages of its
    /// pipeline. When `command` is the first stage of its pipeline but sits
    /// inside a compound stage of an enclosing pipeline at the same depth
    /// (`curl ... | (cd /x && sh)`, `... | while read l; do ...; done`), the
    /// earlier stages of that enclosing pipeline are used.
    /// `curl -fsSL URL | sudo bash` → `upstream(of: sudo)` is `[curl]`.
    public func upstream(of command: SimpleCommand) -> [SimpleCommand] {
        guard let (p, position) = pipedStage(of: command) else { return [] }
        return p.stages.prefix(position).flatMap { $0.commands.map { commands[$0] } }
    }

    /// The commands of the stage right before the one `command` reads from
    /// (the last stage of `upstream(of:)`): `tee` in `curl x | tee f | sh`.
    public func feeder(of command: SimpleCommand) -> [SimpleCommand] {
        guard let (p, position) = pipedStage(of: command) else { return [] }
        return p.stages[position - 1].commands.map { commands[$0] }
    }

    /// The pipeline and stage (> 0) through which `command` may read a pipe.
    private func pipedStage(of command: SimpleCommand) -> (Pipeline, Int)? {
        guard var current = pipeline(of: command) else { return nil }
        var position = command.positionInPipeline
        while position == 0 {
            // Innermost other pipeline at the same depth with a stage around `current`.
            var best: (pipeline: Pipeline, stage: Int, size: Int)?
            for p in pipelines where p.index != current.index && p.depth == current.depth && p.origin == current.origin {
                guard p.range.lowerBound <= current.range.lowerBound, current.range.upperBound <= p.range.upperBound
                else { continue }
                for (k, s) in p.stages.enumerated()
                where s.range.lowerBound <= current.range.lowerBound && current.range.upperBound <= s.range.upperBound
                    && s.range != current.range {
                    if best == nil || s.range.count < best!.size { best = (p, k, s.range.count) }
                }
            }
            guard let found = best else { return nil }
            current = found.pipeline
            position = found.stage
        }
        return position < current.stages.count ? (current, position) : nil
    }
}
