// Runs a scenario in the real kernel (kernel lab, one backend) and compares every traced packet of every flow
// with the simulator built from the same rules and host context. Not part of the package's entry point: it
// needs the kernel lab (Linux, root), which the tests reach through their alias.
import { runScenario, type FlowResult, type Scenario as LabScenario } from '@chainsight/kernel-lab';
import { toLabFlow } from '../flows.js';
import type { LabFlowResult } from '../kernel-types.js';
import { rulesFor, type Scenario } from '../scenario.js';
import { compareFlow, createSimulator, type Backend, type FlowComparison } from '../simulate.js';

export interface ScenarioRun {
  scenario: string;
  backend: Backend;
  tool: string;
  flows: FlowComparison[];
  /** The kernel's results, as recorded (for fixtures and failure messages). */
  kernel: LabFlowResult[];
  /** What differs from the scenario as written (ebtables skipped for legacy, broute removed), and lab warnings. */
  notes: string[];
}

export function labFlowResult(f: FlowResult): LabFlowResult {
  return { name: f.name, flow: f.flow, client: f.client, server: f.server, replied: f.replied, packets: f.packets.map((p) => ({ direction: p.direction, packet: p.packet, steps: p.steps })) };
}

export async function runAndCompare(scenario: Scenario, backend: Backend): Promise<ScenarioRun> {
  const rules = rulesFor(scenario, backend);
  const lab: LabScenario = {
    name: scenario.name,
    hostContext: JSON.parse(scenario.hostJson),
    iptablesSave: rules.iptablesSave,
    flows: scenario.flows.map(toLabFlow),
    ...(rules.ebtablesSave !== undefined ? { ebtablesSave: rules.ebtablesSave } : {}),
    ...(scenario.ipsetSave !== undefined ? { ipsetSave: scenario.ipsetSave } : {}),
  };
  const result = await runScenario(lab, { backend });
  const sim = createSimulator({
    iptablesSave: rules.iptablesSave,
    hostJson: scenario.hostJson,
    backend,
    names: { iptables: `${scenario.name}/iptables-save`, ebtables: `${scenario.name}/ebtables-save`, host: `${scenario.name}/host.json` },
    ...(rules.ebtablesSave !== undefined ? { ebtablesSave: rules.ebtablesSave } : {}),
    ...(scenario.ipsetSave !== undefined ? { ipsetSave: scenario.ipsetSave } : {}),
  });
  const kernel = result.flows.map(labFlowResult);
  return {
    scenario: scenario.name,
    backend,
    tool: result.tool,
    flows: kernel.map((k) => compareFlow(sim, k, result.tool)),
    kernel,
    notes: [...rules.notes, ...result.warnings],
  };
}
