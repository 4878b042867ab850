/**
 * Snowflake-shaped ids for the stand-in: numeric strings that grow with time,
 * like Discord's (discord.js reads timestamps out of them).
 */
const DISCORD_EPOCH = 1_420_070_400_000n;

let increment = 0n;

export function nextSnowflake(now: number = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(now) - DISCORD_EPOCH) << 22n) | increment).toString();
}
