import type { BenchReport } from './run.js';

/** The report as a person reads it: each gateway figure beside its floor. */
export function formatReport(report: BenchReport): string {
  const { throughput, fixedRate, inbound } = report.gateway;
  const { transport, rsaSigning } = report.floor;
  const ms = (l: { p50: number; p95: number; p99: number }) =>
    `p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} ms`;
  return [
    `mhs-gateway bench — ${report.date} — ${report.machine.cpus} cores (${report.machine.cpuModel}), ${report.machine.memoryGiB} GiB, Node ${report.machine.node}`,
    `store ${report.settings.store}, log level ${report.settings.logLevel}, gateway + simulator + RabbitMQ + driver on this machine`,
    '',
    `outbound, ${throughput.messages} signed forward-reliable messages at concurrency ${throughput.concurrency}:`,
    `  to ACKED       ${throughput.toAcked.messagesPerSecond} messages/s (${throughput.toAcked.reached} in ${throughput.toAcked.seconds} s)  = ${report.ratios.ackedPerSecondToTransport} × floor`,
    `  to COMPLETED   ${throughput.toCompleted.messagesPerSecond} messages/s (${throughput.toCompleted.reached} in ${throughput.toCompleted.seconds} s)`,
    `  POST → 202     ${ms(throughput.postTo202Ms)}   answers ${JSON.stringify(throughput.answers)}`,
    `  accepted → ACKED      ${ms(throughput.acceptedToAckedMs)}`,
    `  accepted → COMPLETED  ${ms(throughput.acceptedToCompletedMs)}`,
    `    queued (accepted → SENDING)  ${ms(throughput.stagesMs.acceptedToSending)}`,
    `    POST to Spine (SENDING → SENT)  ${ms(throughput.stagesMs.sendingToSent)}`,
    `    Spine's ack (SENT → ACKED)  ${ms(throughput.stagesMs.sentToAcked)}`,
    `  CPU per 1,000 messages: gateway ${throughput.gatewayCpuSecondsPer1000} s, simulator ${throughput.simulatorCpuSecondsPer1000} s, RabbitMQ ${throughput.rabbitmqCpuSecondsPer1000 ?? 'n/a'} s, driver ${throughput.driverCpuSecondsPer1000} s; machine ${throughput.machineBusyPercent}% busy (all cores)`,
    `fixed rate ${fixedRate.rate}/s for ${fixedRate.seconds} s: POST → 202 ${ms(fixedRate.postTo202Ms)}; accepted → ACKED ${ms(fixedRate.acceptedToAckedMs)}; answers ${JSON.stringify(fixedRate.answers)}`,
    `inbound: ${inbound.messagesPerSecond} messages/s to mhs.inbound (${inbound.delivered}/${inbound.requested} in ${inbound.seconds} s)  = ${report.ratios.inboundToTransport} × floor`,
    `gateway peak RSS ${report.gateway.peakRssMiB} MiB; during the fixed-rate phase ${report.gateway.rssDuringFixedRateMiB.first} → ${report.gateway.rssDuringFixedRateMiB.last} MiB (max ${report.gateway.rssDuringFixedRateMiB.max})`,
    '',
    `floor: mTLS keep-alive POST + confirmed AMQP publish and consume, no XML: ${transport.messagesPerSecond} messages/s (${ms(transport.latencyMs)})`,
    `floor: RSA-2048 SHA-256 signatures on one core: ${rsaSigning.signaturesPerSecond}/s`,
  ].join('\n');
}
