import { SequentialIdGenerator } from '../../src/adapters/in-memory/SequentialIdGenerator';
import { RandomIdGenerator } from '../../src/adapters/system/RandomIdGenerator';
import { describeIdGeneratorContract } from '../../src/ports/IdGenerator.contract';

describeIdGeneratorContract('random (system)', () => new RandomIdGenerator());
describeIdGeneratorContract('sequential (tests)', () => new SequentialIdGenerator());
describeIdGeneratorContract('sequential with a prefix', () => new SequentialIdGenerator('run'));
