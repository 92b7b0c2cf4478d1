import { RandomIdGenerator } from '../../src/adapters/system/RandomIdGenerator';
import { SequentialIdGenerator } from '../doubles/SequentialIdGenerator';
import { describeIdGeneratorContract } from './contracts/IdGenerator.contract';

describeIdGeneratorContract('random (system)', () => new RandomIdGenerator());
describeIdGeneratorContract('sequential (tests)', () => new SequentialIdGenerator());
describeIdGeneratorContract('sequential with a prefix', () => new SequentialIdGenerator('run'));
