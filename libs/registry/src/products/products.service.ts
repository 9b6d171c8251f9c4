import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { Page, PageQuery } from '@iot/runtime';
import { requireProject } from '../projects/projects.service';
import { RegistryError } from '../registry.errors';
import { CreateProductDto, ProductBodyDto, ProductDto } from './dto/product.dto';
import { ThingModelDto, thingModelProblems } from './dto/thing-model.dto';
import { ProductEntity } from './product.entity';

const FOREIGN_KEY_VIOLATION = '23503';
const EMPTY_MODEL: ThingModelDto = { services: [] };

/** Products and their thing models. A product its devices still use cannot be deleted. */
@Injectable()
export class ProductsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(projectId: string, dto: CreateProductDto): Promise<ProductDto> {
    const model = checked(dto.model ?? EMPTY_MODEL);
    const id = dto.id ?? `prod-${randomBytes(5).toString('hex')}`;
    return this.db.transaction(async (tx) => {
      await requireProject(tx, projectId);
      if (await tx.existsBy(ProductEntity, { projectId, id })) throw new RegistryError('PRODUCT_EXISTS', `project ${projectId} already has a product ${id}`, { projectId, productId: id });
      return ProductDto.from(await tx.save(tx.create(ProductEntity, { projectId, id, name: dto.name, model })));
    });
  }

  async list(projectId: string, query: PageQuery): Promise<Page<ProductDto>> {
    await requireProject(this.db.manager, projectId);
    const [items, total] = await this.db.getRepository(ProductEntity).findAndCount({ where: { projectId }, order: { createdAt: 'ASC', id: 'ASC' }, take: query.limit, skip: query.offset });
    return Page.of(items.map(ProductDto.from), total, query);
  }

  async get(projectId: string, id: string): Promise<ProductDto> {
    return ProductDto.from(await find(this.db.manager, projectId, id));
  }

  async replace(projectId: string, id: string, dto: ProductBodyDto): Promise<ProductDto> {
    const model = checked(dto.model ?? EMPTY_MODEL);
    return this.db.transaction(async (tx) => {
      const product = await find(tx, projectId, id);
      return ProductDto.from(await tx.save(Object.assign(product, { name: dto.name, model })));
    });
  }

  async delete(projectId: string, id: string): Promise<void> {
    try {
      await this.db.transaction(async (tx) => {
        await find(tx, projectId, id);
        await tx.delete(ProductEntity, { projectId, id });
      });
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === FOREIGN_KEY_VIOLATION) {
        throw new RegistryError('PRODUCT_IN_USE', `product ${id} still has devices: move or delete them first`, { projectId, productId: id });
      }
      throw error;
    }
  }
}

function checked(model: ThingModelDto): ThingModelDto {
  const fields = thingModelProblems(model);
  if (fields.length > 0) {
    throw new RegistryError('INVALID_THING_MODEL', fields.map((f) => `${f.field}: ${f.problems.join(', ')}`).join('; '), { fields });
  }
  return model;
}

async function find(tx: EntityManager, projectId: string, id: string): Promise<ProductEntity> {
  const product = await tx.findOneBy(ProductEntity, { projectId, id });
  if (!product) throw new RegistryError('PRODUCT_NOT_FOUND', `project ${projectId} has no product ${id}`, { projectId, productId: id });
  return product;
}
